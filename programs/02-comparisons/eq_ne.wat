;; i32.eq and i32.ne: equal and unequal pairs, hex vs decimal spellings of the same bits, INT_MIN/INT_MAX.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (call $output (i32.eq (i32.const 5) (i32.const 5)))                   ;; 1
    (call $output (i32.eq (i32.const 5) (i32.const 6)))                   ;; 0
    (call $output (i32.eq (i32.const -1) (i32.const 0xFFFFFFFF)))         ;; 1: same bits
    (call $output (i32.eq (i32.const -2147483648) (i32.const 0x80000000))) ;; 1
    (call $output (i32.eq (i32.const 0) (i32.const -0)))                  ;; 1
    (call $output (i32.ne (i32.const 1) (i32.const 2)))                   ;; 1
    (call $output (i32.ne (i32.const 2147483647) (i32.const 2147483647))) ;; 0
    (call $output (i32.ne (i32.const -2147483648) (i32.const 2147483647))) ;; 1
    ;; INT_MAX + 1 equals INT_MIN after wrapping
    (call $output (i32.eq (i32.add (i32.const 2147483647) (i32.const 1))
                          (i32.const -2147483648)))                       ;; 1
    (call $output (i32.ne (i32.const -1) (i32.const 1)))                  ;; 1
    (call $output (i32.eq (i32.const 256) (i32.const 0)))                 ;; 0
    ;; comparison results are exactly 0 or 1, usable in arithmetic: 1 + 1 + 0 = 2
    (call $output (i32.add (i32.add (i32.eq (i32.const 7) (i32.const 7))
                                    (i32.ne (i32.const 7) (i32.const 8)))
                           (i32.eq (i32.const 7) (i32.const 8))))
  )
)

;; i32 wraparound at the edges: INT_MAX + 1, INT_MIN - 1, INT_MIN * -1, 2^16 * 2^16 and other overflowing products.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (call $output (i32.add (i32.const 0x7FFFFFFF) (i32.const 1)))              ;; -2147483648
    (call $output (i32.sub (i32.const -2147483648) (i32.const 1)))             ;; 2147483647
    (call $output (i32.mul (i32.const -2147483648) (i32.const -1)))            ;; -2147483648
    (call $output (i32.mul (i32.const 0x10000) (i32.const 0x10000)))           ;; 0
    (call $output (i32.mul (i32.const 0x7FFFFFFF) (i32.const 2)))              ;; -2
    (call $output (i32.mul (i32.const 65537) (i32.const 65537)))               ;; 131073
    (call $output (i32.mul (i32.const -1) (i32.const -1)))                     ;; 1
    (call $output (i32.sub (i32.const 0) (i32.const -2147483648)))             ;; -2147483648
    (call $output (i32.mul (i32.const 2147483647) (i32.const 2147483647)))     ;; 1
    (call $output (i32.add (i32.const -2147483648) (i32.const -2147483648)))   ;; 0
    (call $output (i32.mul (i32.const -2147483648) (i32.const 2)))             ;; 0
    (call $output (i32.add (i32.const 0xFFFFFFFF) (i32.const 1)))              ;; 0
    (call $output (i32.sub (i32.const 2147483647) (i32.const -1)))             ;; -2147483648
    (call $output (i32.mul (i32.const 1000000) (i32.const 1000000)))           ;; -727379968
    (call $output (i32.add (i32.const 2147483647) (i32.const 2147483647)))     ;; -2
  )
)

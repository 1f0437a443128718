;; i32.and / i32.or on full 32-bit patterns: the sign bit, all ones, alternating bits, high and low halves.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (call $output (i32.and (i32.const 0xFFFFFFFF) (i32.const 0x80000000)))  ;; -2147483648
    (call $output (i32.or  (i32.const 0x80000000) (i32.const 0x7FFFFFFF)))  ;; -1
    (call $output (i32.and (i32.const -2) (i32.const -3)))                  ;; -4
    (call $output (i32.or  (i32.const -2147483648) (i32.const 1)))          ;; -2147483647
    (call $output (i32.and (i32.const 2147483647) (i32.const -1)))          ;; 2147483647
    (call $output (i32.and (i32.const -2147483648) (i32.const 2147483647))) ;; 0
    (call $output (i32.and (i32.const 0xDEADBEEF) (i32.const 0xFFFF0000)))  ;; 0xDEAD0000
    (call $output (i32.or  (i32.const 0xDEADBEEF) (i32.const 0x0000FFFF)))  ;; 0xDEADFFFF
    (call $output (i32.and (i32.const 0xDEADBEEF) (i32.const 0x0000FFFF)))  ;; 0xBEEF = 48879
    (call $output (i32.or  (i32.const 0x80000000) (i32.const 0x80000000)))  ;; -2147483648
    (call $output (i32.and (i32.const -1) (i32.const -1)))                  ;; -1
    (call $output (i32.or  (i32.const 0x0F0F0F0F) (i32.const 0xF0F0F0F0)))  ;; -1
    (call $output (i32.and (i32.const -256) (i32.const 0x1FF)))             ;; 256
  )
)

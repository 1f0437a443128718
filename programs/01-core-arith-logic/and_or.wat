;; i32.and and i32.or on small masks, negative numbers and full 32-bit patterns.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (call $output (i32.and (i32.const 0xF0F0) (i32.const 0x0FF0)))      ;; 0x00F0 = 240
    (call $output (i32.or  (i32.const 0xF0) (i32.const 0x0F)))          ;; 255
    (call $output (i32.and (i32.const -1) (i32.const 0x1234)))          ;; 4660
    (call $output (i32.or  (i32.const -1) (i32.const 0)))               ;; -1
    (call $output (i32.and (i32.const 5) (i32.const 3)))                ;; 1
    (call $output (i32.or  (i32.const 5) (i32.const 3)))                ;; 7
    (call $output (i32.and (i32.const -16) (i32.const 255)))            ;; 240
    (call $output (i32.or  (i32.const -256) (i32.const 255)))           ;; -1
    (call $output (i32.and (i32.const 0x12345678) (i32.const 0xFF00FF00))) ;; 0x12005600 = 302011904
    (call $output (i32.or  (i32.const 0x12345678) (i32.const 0x0F0F0F0F))) ;; 0x1F3F5F7F = 524246911
    (call $output (i32.and (i32.const 0) (i32.const -1)))               ;; 0
    (call $output (i32.and (i32.const 0xAAAAAAAA) (i32.const 0x55555555))) ;; 0
    (call $output (i32.or  (i32.const 0xAAAAAAAA) (i32.const 0x55555555))) ;; -1
  )
)

;; i32.le_s and i32.ge_s: equality boundaries and the signed extremes.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    ;; each pair prints le_s then ge_s
    (call $output (i32.le_s (i32.const 5) (i32.const 5)))                     ;; 1
    (call $output (i32.ge_s (i32.const 5) (i32.const 5)))                     ;; 1
    (call $output (i32.le_s (i32.const -1) (i32.const 0)))                    ;; 1
    (call $output (i32.ge_s (i32.const -1) (i32.const 0)))                    ;; 0
    (call $output (i32.le_s (i32.const -2147483648) (i32.const -2147483648))) ;; 1
    (call $output (i32.ge_s (i32.const -2147483648) (i32.const -2147483648))) ;; 1
    (call $output (i32.le_s (i32.const 2147483647) (i32.const -2147483648)))  ;; 0
    (call $output (i32.ge_s (i32.const 2147483647) (i32.const -2147483648)))  ;; 1
    (call $output (i32.le_s (i32.const 0) (i32.const -2147483648)))           ;; 0
    (call $output (i32.ge_s (i32.const 0) (i32.const -2147483648)))           ;; 1
    (call $output (i32.le_s (i32.const 2147483647) (i32.const 2147483647)))   ;; 1
    (call $output (i32.ge_s (i32.const -1) (i32.const 2147483647)))           ;; 0
    (call $output (i32.le_s (i32.const 0xFFFFFFFE) (i32.const 0xFFFFFFFF)))   ;; 1: -2 <= -1
    (call $output (i32.ge_s (i32.const 0xFFFFFFFE) (i32.const 0xFFFFFFFF)))   ;; 0
  )
)

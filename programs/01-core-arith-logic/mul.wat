;; i32.mul: signs, zero, one, large products and a product that wraps past 2^31.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (call $output (i32.mul (i32.const 6) (i32.const 7)))           ;; 42
    (call $output (i32.mul (i32.const -3) (i32.const 5)))          ;; -15
    (call $output (i32.mul (i32.const -4) (i32.const -4)))         ;; 16
    (call $output (i32.mul (i32.const 12345) (i32.const 1000)))    ;; 12345000
    (call $output (i32.mul (i32.const 0) (i32.const 99999)))       ;; 0
    (call $output (i32.mul (i32.const 1) (i32.const -77)))         ;; -77
    (call $output (i32.mul (i32.const 46341) (i32.const 46341)))   ;; 2147488281 wraps to -2147479015
    (call $output (i32.mul (i32.const 65535) (i32.const 65535)))   ;; 4294836225 wraps to -131071
    (call $output (i32.mul (i32.mul (i32.const 2) (i32.const 3)) (i32.const -11))) ;; -66
  )
)

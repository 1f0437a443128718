;; i32.lt_s and i32.gt_s are signed: -1 < 0, INT_MIN < INT_MAX, 0x80000000 is the smallest value.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    ;; each pair prints lt_s then gt_s
    (call $output (i32.lt_s (i32.const -1) (i32.const 0)))                    ;; 1
    (call $output (i32.gt_s (i32.const -1) (i32.const 0)))                    ;; 0
    (call $output (i32.lt_s (i32.const 0) (i32.const -1)))                    ;; 0
    (call $output (i32.gt_s (i32.const 0) (i32.const -1)))                    ;; 1
    (call $output (i32.lt_s (i32.const -2147483648) (i32.const 2147483647)))  ;; 1
    (call $output (i32.gt_s (i32.const -2147483648) (i32.const 2147483647)))  ;; 0
    (call $output (i32.lt_s (i32.const 2147483647) (i32.const -2147483648)))  ;; 0
    (call $output (i32.gt_s (i32.const 2147483647) (i32.const -2147483648)))  ;; 1
    (call $output (i32.lt_s (i32.const -2147483648) (i32.const -1)))          ;; 1
    (call $output (i32.gt_s (i32.const -2147483648) (i32.const -1)))          ;; 0
    (call $output (i32.lt_s (i32.const 5) (i32.const 5)))                     ;; 0
    (call $output (i32.gt_s (i32.const 5) (i32.const 5)))                     ;; 0
    (call $output (i32.lt_s (i32.const 0xFFFFFFFF) (i32.const 1)))            ;; 1: 0xFFFFFFFF is -1
    (call $output (i32.gt_s (i32.const 0x80000000) (i32.const 0x7FFFFFFF)))   ;; 0
    (call $output (i32.lt_s (i32.const -2) (i32.const -1)))                   ;; 1
    (call $output (i32.gt_s (i32.const -2) (i32.const -1)))                   ;; 0
    (call $output (i32.lt_s (i32.const 1) (i32.const 2)))                     ;; 1
    (call $output (i32.gt_s (i32.const 100000) (i32.const 99999)))            ;; 1
  )
)

;; i32.add and i32.sub on constants: small values, negatives, results that cross zero.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    ;; 2 + 3 = 5
    (call $output (i32.add (i32.const 2) (i32.const 3)))
    ;; 10 - 20 = -10
    (call $output (i32.sub (i32.const 10) (i32.const 20)))
    ;; 0 - 1 = -1
    (call $output (i32.sub (i32.const 0) (i32.const 1)))
    ;; 1000000 + 2345678 = 3345678
    (call $output (i32.add (i32.const 1000000) (i32.const 2345678)))
    ;; -5 - -7 = 2
    (call $output (i32.sub (i32.const -5) (i32.const -7)))
    ;; 100 - 100 = 0
    (call $output (i32.sub (i32.const 100) (i32.const 100)))
    ;; flat style: 1 + 2 + 3 + 4 + 5 = 15
    i32.const 1
    i32.const 2
    i32.add
    i32.const 3
    i32.add
    i32.const 4
    i32.add
    i32.const 5
    i32.add
    call $output
    ;; sub is not commutative: 3 - 8 = -5, 8 - 3 = 5
    (call $output (i32.sub (i32.const 3) (i32.const 8)))
    (call $output (i32.sub (i32.const 8) (i32.const 3)))
    ;; -100 + 58 = -42
    (call $output (i32.add (i32.const -100) (i32.const 58)))
  )
)

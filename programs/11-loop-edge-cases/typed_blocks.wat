;; Blocks, loops and ifs with i32 results: a loop (result i32) whose fallthrough value is its result, an if/else
;; nested inside a block result, a block result consumed by arithmetic, and an if result used as a condition.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $i i32) (local $x i32)
    ;; loop with a result: iterate until i = 5, then produce i * 100
    (call $output
      (loop $l (result i32)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_s (local.get $i) (i32.const 5)))
        (i32.mul (local.get $i) (i32.const 100))))                                    ;; 500
    ;; block result from an if/else inside it
    (local.set $x (i32.const -3))
    (call $output
      (block (result i32)
        (if (result i32) (i32.lt_s (local.get $x) (i32.const 0))
          (then (i32.sub (i32.const 0) (local.get $x)))
          (else (local.get $x)))))                                                  ;; 3
    ;; two block results added together
    (call $output
      (i32.add (block (result i32) (i32.const 40))
               (block (result i32) (nop) (i32.const 2))))                             ;; 42
    ;; an if result used as the condition of another if
    (call $output
      (if (result i32)
        (if (result i32) (i32.gt_s (local.get $i) (i32.const 3))
          (then (i32.const 1)) (else (i32.const 0)))
        (then (i32.const 111)) (else (i32.const 222))))                              ;; 111
    ;; nested loops with results: inner result feeds the outer computation
    (local.set $i (i32.const 0))
    (call $output
      (i32.add
        (loop $a (result i32)
          (local.set $i (i32.add (local.get $i) (i32.const 2)))
          (br_if $a (i32.lt_s (local.get $i) (i32.const 9)))
          (loop $b (result i32)
            (local.set $i (i32.sub (local.get $i) (i32.const 3)))
            (br_if $b (i32.gt_s (local.get $i) (i32.const 0)))
            (local.get $i)))
        (i32.const 10)))                                                             ;; i: 10 -> 7,4,1,-2; -2 + 10 = 8
    ;; if without else in a void context, with a br out of it
    (block $skip
      (if (i32.eq (local.get $i) (i32.const -2))
        (then (br $skip)))
      (call $output (i32.const 999)))
    (call $output (local.get $i))                                                    ;; -2
  )
)

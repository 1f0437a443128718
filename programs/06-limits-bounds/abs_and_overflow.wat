;; Signed absolute value (abs(INT_MIN) wraps back to INT_MIN) and signed-add overflow detection by comparisons.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32) (local $x i32) (local $a i32) (local $b i32) (local $s i32)
    ;; table of values at 0..23
    (i32.store (i32.const 0)  (i32.const -5))
    (i32.store (i32.const 4)  (i32.const 5))
    (i32.store (i32.const 8)  (i32.const 0))
    (i32.store (i32.const 12) (i32.const -2147483648))
    (i32.store (i32.const 16) (i32.const 2147483647))
    (i32.store (i32.const 20) (i32.const -2147483647))
    ;; abs of each
    (loop $abs
      (local.set $x (i32.load (local.get $i)))
      (call $output
        (if (result i32) (i32.lt_s (local.get $x) (i32.const 0))
          (then (i32.sub (i32.const 0) (local.get $x)))
          (else (local.get $x))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $abs (i32.lt_s (local.get $i) (i32.const 24))))
    ;; a + b for consecutive pairs of the table (wrapping around): prints the sum and 1 if it overflowed
    (local.set $i (i32.const 0))
    (loop $pairs
      (local.set $a (i32.load (local.get $i)))
      (local.set $b (i32.load offset=4 (local.get $i)))
      (local.set $s (i32.add (local.get $a) (local.get $b)))
      (call $output (local.get $s))
      (call $output
        (i32.or (i32.and (i32.gt_s (local.get $b) (i32.const 0)) (i32.lt_s (local.get $s) (local.get $a)))
                (i32.and (i32.lt_s (local.get $b) (i32.const 0)) (i32.gt_s (local.get $s) (local.get $a)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $pairs (i32.lt_s (local.get $i) (i32.const 20))))
    ;; INT_MAX + INT_MAX and INT_MIN + INT_MIN overflow too
    (local.set $a (i32.const 2147483647))
    (local.set $s (i32.add (local.get $a) (local.get $a)))
    (call $output (i32.lt_s (local.get $s) (local.get $a)))
    (local.set $a (i32.const -2147483648))
    (local.set $s (i32.add (local.get $a) (local.get $a)))
    (call $output (i32.gt_s (local.get $s) (local.get $a)))
  )
)

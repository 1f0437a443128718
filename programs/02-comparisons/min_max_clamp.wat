;; Signed min, max and clamp built from comparisons and `if (result i32)`, including INT_MIN/INT_MAX.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $a i32) (local $b i32) (local $k i32) (local $x i32)
    ;; four pairs: prints min then max of each
    (block $done
      (loop $next
        ;; pick pair number k
        (if (i32.eq (local.get $k) (i32.const 0))
          (then (local.set $a (i32.const -7)) (local.set $b (i32.const 3))))
        (if (i32.eq (local.get $k) (i32.const 1))
          (then (local.set $a (i32.const 2147483647)) (local.set $b (i32.const -2147483648))))
        (if (i32.eq (local.get $k) (i32.const 2))
          (then (local.set $a (i32.const -1)) (local.set $b (i32.const -1))))
        (if (i32.eq (local.get $k) (i32.const 3))
          (then (local.set $a (i32.const 0)) (local.set $b (i32.const -2147483648))))
        (call $output (if (result i32) (i32.lt_s (local.get $a) (local.get $b))
                        (then (local.get $a)) (else (local.get $b))))
        (call $output (if (result i32) (i32.gt_s (local.get $a) (local.get $b))
                        (then (local.get $a)) (else (local.get $b))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $done (i32.eq (local.get $k) (i32.const 4)))
        (br $next)))
    ;; clamp x to [-10, 10] for x = -2147483648, -11, -10, 0, 10, 11, 2147483647
    (local.set $k (i32.const 0))
    (loop $clamp
      ;; x = k-th test value, chosen by a chain of ifs with i32 results
      (local.set $x
        (if (result i32) (i32.eq (local.get $k) (i32.const 0))
          (then (i32.const -2147483648))
          (else
            (if (result i32) (i32.eq (local.get $k) (i32.const 1))
              (then (i32.const -11))
              (else
                (if (result i32) (i32.eq (local.get $k) (i32.const 2))
                  (then (i32.const -10))
                  (else
                    (if (result i32) (i32.eq (local.get $k) (i32.const 3))
                      (then (i32.const 0))
                      (else
                        (if (result i32) (i32.eq (local.get $k) (i32.const 4))
                          (then (i32.const 10))
                          (else
                            (if (result i32) (i32.eq (local.get $k) (i32.const 5))
                              (then (i32.const 11))
                              (else (i32.const 2147483647))))))))))))))
      (call $output
        (if (result i32) (i32.lt_s (local.get $x) (i32.const -10))
          (then (i32.const -10))
          (else (if (result i32) (i32.gt_s (local.get $x) (i32.const 10))
                  (then (i32.const 10))
                  (else (local.get $x))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $clamp (i32.le_s (local.get $k) (i32.const 6))))
  )
)

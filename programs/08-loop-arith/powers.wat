;; base^exp by repeated multiplication for a table of (base, exp) pairs kept in memory, wrapping modulo 2^32:
;; 2^10, 3^13, 2^31, 2^32, 7^0, (-2)^5, 10^9, (-1)^101, 3^40, 0^0, 0^5, 5^13.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $p i32) (local $base i32) (local $exp i32) (local $r i32)
    ;; table: pairs of words starting at 0, 12 pairs
    (i32.store offset=0  (i32.const 0) (i32.const 2))  (i32.store offset=4  (i32.const 0) (i32.const 10))
    (i32.store offset=8  (i32.const 0) (i32.const 3))  (i32.store offset=12 (i32.const 0) (i32.const 13))
    (i32.store offset=16 (i32.const 0) (i32.const 2))  (i32.store offset=20 (i32.const 0) (i32.const 31))
    (i32.store offset=24 (i32.const 0) (i32.const 2))  (i32.store offset=28 (i32.const 0) (i32.const 32))
    (i32.store offset=32 (i32.const 0) (i32.const 7))  (i32.store offset=36 (i32.const 0) (i32.const 0))
    (i32.store offset=40 (i32.const 0) (i32.const -2)) (i32.store offset=44 (i32.const 0) (i32.const 5))
    (i32.store offset=48 (i32.const 0) (i32.const 10)) (i32.store offset=52 (i32.const 0) (i32.const 9))
    (i32.store offset=56 (i32.const 0) (i32.const -1)) (i32.store offset=60 (i32.const 0) (i32.const 101))
    (i32.store offset=64 (i32.const 0) (i32.const 3))  (i32.store offset=68 (i32.const 0) (i32.const 40))
    (i32.store offset=72 (i32.const 0) (i32.const 0))  (i32.store offset=76 (i32.const 0) (i32.const 0))
    (i32.store offset=80 (i32.const 0) (i32.const 0))  (i32.store offset=84 (i32.const 0) (i32.const 5))
    (i32.store offset=88 (i32.const 0) (i32.const 5))  (i32.store offset=92 (i32.const 0) (i32.const 13))
    (loop $pairs
      (local.set $base (i32.load (local.get $p)))
      (local.set $exp (i32.load offset=4 (local.get $p)))
      (local.set $r (i32.const 1))
      (block $done
        (loop $mul
          (br_if $done (i32.le_s (local.get $exp) (i32.const 0)))
          (local.set $r (i32.mul (local.get $r) (local.get $base)))
          (local.set $exp (i32.sub (local.get $exp) (i32.const 1)))
          (br $mul)))
      (call $output (local.get $r))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $pairs (i32.lt_s (local.get $p) (i32.const 96))))
  )
)

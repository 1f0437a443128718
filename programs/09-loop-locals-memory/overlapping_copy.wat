;; Copying a word array onto an overlapping destination two words further on: a naive forward copy smears
;; the first two words across the array, a backward copy (memmove) preserves it. Prints both results.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32)
    ;; A at 0: 1..10; B at 100: 1..10
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.add (local.get $i) (i32.const 1)))
      (i32.store offset=100 (i32.mul (local.get $i) (i32.const 4)) (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_s (local.get $i) (i32.const 10))))
    ;; forward: A[i+2] = A[i] for i = 0..7
    (local.set $i (i32.const 0))
    (loop $fwd
      (i32.store offset=8 (local.get $i) (i32.load (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $fwd (i32.lt_s (local.get $i) (i32.const 32))))
    ;; backward: B[i+2] = B[i] for i = 7..0
    (local.set $i (i32.const 28))
    (loop $bwd
      (i32.store offset=108 (local.get $i) (i32.load offset=100 (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 4)))
      (br_if $bwd (i32.ge_s (local.get $i) (i32.const 0))))
    (local.set $i (i32.const 0))
    (loop $print
      (call $output (i32.load (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $print (i32.lt_s (local.get $i) (i32.const 40))))
    (local.set $i (i32.const 0))
    (loop $print2
      (call $output (i32.load offset=100 (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $print2 (i32.lt_s (local.get $i) (i32.const 40))))
  )
)

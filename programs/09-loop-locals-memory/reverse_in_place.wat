;; Reverses arrays in memory with two pointers meeting in the middle: nine words (odd length) and then
;; the same memory again as eight words (even length); prints both results.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $lo i32) (local $hi i32) (local $t i32) (local $i i32) (local $len i32)
    ;; a[i] = (i + 1) * 11 for i = 0..8
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 4))
                 (i32.mul (i32.add (local.get $i) (i32.const 1)) (i32.const 11)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_s (local.get $i) (i32.const 9))))
    (local.set $len (i32.const 9))
    (block $both
      (loop $again
        (local.set $lo (i32.const 0))
        (local.set $hi (i32.mul (i32.sub (local.get $len) (i32.const 1)) (i32.const 4)))
        (block $met
          (loop $swap
            (br_if $met (i32.ge_s (local.get $lo) (local.get $hi)))
            (local.set $t (i32.load (local.get $lo)))
            (i32.store (local.get $lo) (i32.load (local.get $hi)))
            (i32.store (local.get $hi) (local.get $t))
            (local.set $lo (i32.add (local.get $lo) (i32.const 4)))
            (local.set $hi (i32.sub (local.get $hi) (i32.const 4)))
            (br $swap)))
        (local.set $i (i32.const 0))
        (loop $print
          (call $output (i32.load (i32.mul (local.get $i) (i32.const 4))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $print (i32.lt_s (local.get $i) (local.get $len))))
        (br_if $both (i32.eq (local.get $len) (i32.const 8)))
        (local.set $len (i32.const 8))
        (br $again)))
  )
)

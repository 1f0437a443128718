;; Prefix sums in place: the bytes of file 0 (at most 64) are stored as words, each word becomes the sum of
;; itself and all before it, and the sums are printed; then the sum of elements 2..4 from two prefix sums.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $n i32) (local $byte i32) (local $i i32)
    (drop (call $fd_open (i32.const 0)))
    (block $loaded
      (loop $load
        (br_if $loaded (i32.ge_s (local.get $n) (i32.const 64)))
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $loaded (i32.eq (local.get $byte) (i32.const -1)))
        (i32.store offset=256 (i32.mul (local.get $n) (i32.const 4)) (local.get $byte))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $load)))
    ;; a[i] += a[i-1] for i = 1..n-1 (i is a byte offset)
    (local.set $i (i32.const 4))
    (block $summed
      (loop $sum
        (br_if $summed (i32.ge_s (local.get $i) (i32.mul (local.get $n) (i32.const 4))))
        (i32.store offset=256 (local.get $i)
          (i32.add (i32.load offset=256 (local.get $i)) (i32.load offset=252 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sum)))
    (local.set $i (i32.const 0))
    (block $printed
      (loop $print
        (br_if $printed (i32.ge_s (local.get $i) (i32.mul (local.get $n) (i32.const 4))))
        (call $output (i32.load offset=256 (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $print)))
    ;; range sum of elements 2, 3, 4 = P[4] - P[1] (only when there are at least 5 elements)
    (if (i32.ge_s (local.get $n) (i32.const 5))
      (then (call $output (i32.sub (i32.load (i32.const 272)) (i32.load (i32.const 260))))))
  )
)

;; Sums 1..n where n is the first byte of file 0 (an empty file means n = 0); prints n and the sum.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $n i32) (local $i i32) (local $sum i32)
    (drop (call $fd_open (i32.const 0)))
    (local.set $n (call $fd_read (i32.const 0)))
    (if (i32.lt_s (local.get $n) (i32.const 0))
      (then (local.set $n (i32.const 0))))
    (call $output (local.get $n))
    (local.set $i (i32.const 1))
    (block $done
      (loop $add
        (br_if $done (i32.gt_s (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $add)))
    (call $output (local.get $sum))
  )
)

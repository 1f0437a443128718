;; A while loop (block + loop, exit test at the top, unconditional br back): prints the multiples of 3 below 20,
;; then how many there were.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $x i32) (local $count i32)
    (block $exit
      (loop $while
        (br_if $exit (i32.ge_s (local.get $x) (i32.const 20)))
        (call $output (local.get $x))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $x (i32.add (local.get $x) (i32.const 3)))
        (br $while)))
    (call $output (local.get $count))
  )
)

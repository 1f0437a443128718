;; A counted loop with a br_if back edge: prints 1 through 10, then the counter after the loop (11).
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $i i32)
    (local.set $i (i32.const 1))
    (loop $again
      (call $output (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.le_s (local.get $i) (i32.const 10))))
    (call $output (local.get $i))
  )
)

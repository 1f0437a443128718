;; A loop stepping by 7 from -20 while the value is at most 50, crossing zero; prints each value and the final one.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $v i32)
    (local.set $v (i32.const -20))
    (loop $step
      (call $output (local.get $v))
      (local.set $v (i32.add (local.get $v) (i32.const 7)))
      (br_if $step (i32.le_s (local.get $v) (i32.const 50))))
    (call $output (local.get $v))
  )
)

;; Counting down with a do-while loop (flat style): prints 5, 4, 3, 2, 1, 0, then -1 after the loop.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $n i32)
    i32.const 5
    local.set $n
    loop $down
      local.get $n
      call $output
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      i32.const 0
      i32.ge_s
      br_if $down
    end
    local.get $n
    call $output
  )
)

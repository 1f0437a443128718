;; A loop of 2000 iterations (flat style, tight body): a wrapping polynomial hash h = h*31 + i over
;; i = 0..1999. Prints h and the final i.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $i i32) (local $h i32)
    loop $spin
      local.get $h
      i32.const 31
      i32.mul
      local.get $i
      i32.add
      local.set $h
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 2000
      i32.lt_s
      br_if $spin
    end
    local.get $h
    call $output
    local.get $i
    call $output
  )
)

;; Stack shuffling in flat style: drop, nop, local.tee keeping the value, and deep operand stacks.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $v i32)
    ;; push 1 2 3, drop the 3, add -> 3
    i32.const 1
    i32.const 2
    i32.const 3
    drop
    nop
    i32.add
    call $output
    ;; tee keeps 40 on the stack and in $v; 40 - 2 = 38
    i32.const 40
    local.tee $v
    i32.const 2
    i32.sub
    call $output
    local.get $v
    call $output
    ;; deep stack: 10 20 30 40 then sub, sub, sub: 10 - (20 - (30 - 40)) = 10 - 30 = -20
    i32.const 10
    i32.const 20
    i32.const 30
    i32.const 40
    i32.sub
    i32.sub
    i32.sub
    call $output
    ;; nop between every instruction changes nothing: 6 * 7 = 42
    nop
    i32.const 6
    nop
    i32.const 7
    nop
    i32.mul
    nop
    call $output
    ;; a value left under a dropped one survives: 99
    i32.const 99
    i32.const 123456
    drop
    call $output
  )
)

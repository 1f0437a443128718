;; `unreachable` traps: outputs and file writes made before it are kept, nothing after it runs.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (call $output (i32.const 1))
    (drop (call $fd_open (i32.const 1)))
    (call $fd_write (i32.const 1) (i32.const 111))   ;; 'o'
    (call $fd_write (i32.const 1) (i32.const 107))   ;; 'k'
    (call $output (i32.const 2))
    unreachable
    (call $fd_write (i32.const 1) (i32.const 33))
    (call $output (i32.const 3))
  )
)

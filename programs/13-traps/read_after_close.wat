;; Reading after fd_close traps: open file 0, print its first byte, close it, then read again.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (drop (call $fd_open (i32.const 0)))
    (call $output (call $fd_read (i32.const 0)))
    (call $fd_close (i32.const 0))
    (call $output (call $fd_read (i32.const 0)))
  )
)

;; Reading a file that was never opened traps with file not open, even when the file has contents.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (call $output (i32.const 5))
    (call $output (call $fd_read (i32.const 0)))
    (call $output (i32.const 6))
  )
)

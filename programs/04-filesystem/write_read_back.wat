;; Writes "hi!" to file 1, reopens it (cursor back to 0) and reads five times: three bytes, then -1 twice
;; (the cursor stays at the end). Existing contents are overwritten from the start, the rest is kept.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (drop (call $fd_open (i32.const 1)))
    (call $fd_write (i32.const 1) (i32.const 104))  ;; 'h'
    (call $fd_write (i32.const 1) (i32.const 105))  ;; 'i'
    (call $fd_write (i32.const 1) (i32.const 33))   ;; '!'
    (drop (call $fd_open (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))
  )
)

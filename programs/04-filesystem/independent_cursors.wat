;; Each file has its own cursor: reads from files 0 and 1 interleave, reopening file 0 rewinds only file 0,
;; and closing file 1 then reopening it rewinds it. Closing keeps the contents.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (call $output (call $fd_read (i32.const 0)))   ;; file 0 byte 0
    (call $output (call $fd_read (i32.const 0)))   ;; file 0 byte 1
    (call $output (call $fd_read (i32.const 1)))   ;; file 1 byte 0
    (drop (call $fd_open (i32.const 0)))
    (call $output (call $fd_read (i32.const 0)))   ;; file 0 byte 0 again
    (call $output (call $fd_read (i32.const 1)))   ;; file 1 byte 1
    (call $fd_close (i32.const 1))
    (drop (call $fd_open (i32.const 1)))
    (call $output (call $fd_read (i32.const 1)))   ;; file 1 byte 0 again
    (call $output (call $fd_read (i32.const 0)))   ;; file 0 byte 1
  )
)

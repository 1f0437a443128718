;; A file holds at most 4096 bytes: file 1 is read to its end (16 reads per iteration; reads past the end just
;; return -1), then three bytes 'x', 'y', 'z' are appended, printing 1, 2, 3 after each. The write at cursor 4096
;; traps with file full; the bytes appended before it are kept.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (drop (call $fd_open (i32.const 1)))
    (loop $skip
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1))) (drop (call $fd_read (i32.const 1)))
      (drop (call $fd_read (i32.const 1)))
      (br_if $skip (i32.ne (call $fd_read (i32.const 1)) (i32.const -1))))
    (call $fd_write (i32.const 1) (i32.const 120))
    (call $output (i32.const 1))
    (call $fd_write (i32.const 1) (i32.const 121))
    (call $output (i32.const 2))
    (call $fd_write (i32.const 1) (i32.const 122))
    (call $output (i32.const 3))
  )
)

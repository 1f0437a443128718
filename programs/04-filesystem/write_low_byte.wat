;; fd_write stores only the low 8 bits of its value: 0x1234 -> 0x34, -1 -> 0xff, 256 -> 0x00, and so on.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (drop (call $fd_open (i32.const 3)))
    (call $fd_write (i32.const 3) (i32.const 0x1234))
    (call $fd_write (i32.const 3) (i32.const -1))
    (call $fd_write (i32.const 3) (i32.const 256))
    (call $fd_write (i32.const 3) (i32.const 0x7FFFFF41))
    (call $fd_write (i32.const 3) (i32.const -2147483648))
    (call $fd_write (i32.const 3) (i32.const -191))        ;; 0xFFFFFF41 -> 0x41
    (call $fd_close (i32.const 3))
    (drop (call $fd_open (i32.const 3)))
    (call $output (call $fd_read (i32.const 3)))   ;; 52
    (call $output (call $fd_read (i32.const 3)))   ;; 255
    (call $output (call $fd_read (i32.const 3)))   ;; 0
    (call $output (call $fd_read (i32.const 3)))   ;; 65
    (call $output (call $fd_read (i32.const 3)))   ;; 0
    (call $output (call $fd_read (i32.const 3)))   ;; 65
    (call $output (call $fd_read (i32.const 3)))   ;; -1
  )
)

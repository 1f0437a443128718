;; File operations on files that are not open trap with file not open. The first byte of file 0 (file 0 itself is
;; opened and stays open) selects the operation: 0 fd_read(7), 1 fd_write(4, 65) after fd_open(4) returned -1,
;; 2 fd_close(-1), 3 closing file 2 twice, 4 writing to file 3 that was never opened, 5 writing to file 2 after
;; closing it; anything else (or an empty file) does only valid operations and prints 99.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (local $op i32)
    (drop (call $fd_open (i32.const 0)))
    (local.set $op (call $fd_read (i32.const 0)))
    (call $output (local.get $op))
    ;; file 2 gets one byte so that something is written before any trap
    (drop (call $fd_open (i32.const 2)))
    (call $fd_write (i32.const 2) (i32.const 33))
    (if (i32.eq (local.get $op) (i32.const 0))
      (then (drop (call $fd_read (i32.const 7)))))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then
        (call $output (call $fd_open (i32.const 4)))
        (call $fd_write (i32.const 4) (i32.const 65))))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then (call $fd_close (i32.const -1))))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then
        (call $fd_close (i32.const 2))
        (call $output (i32.const 1))
        (call $fd_close (i32.const 2))))
    (if (i32.eq (local.get $op) (i32.const 4))
      (then (call $fd_write (i32.const 3) (i32.const 1))))
    (if (i32.eq (local.get $op) (i32.const 5))
      (then
        (call $fd_close (i32.const 2))
        (call $fd_write (i32.const 2) (i32.const 34))))
    (call $fd_close (i32.const 0))
    (call $output (i32.const 99))
  )
)

;; Fills file 3 to exactly 4096 bytes (16 writes per loop iteration, byte value = iteration number),
;; which is allowed, then reopens it and overwrites the first byte: writing below the limit never traps.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $i i32)
    (drop (call $fd_open (i32.const 3)))
    (loop $fill
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (call $fd_write (i32.const 3) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_s (local.get $i) (i32.const 256))))
    (call $output (i32.mul (local.get $i) (i32.const 16)))   ;; 4096 bytes written
    (call $output (call $fd_read (i32.const 3)))             ;; cursor is at the end: -1
    (drop (call $fd_open (i32.const 3)))
    (call $fd_write (i32.const 3) (i32.const 65))            ;; overwrite byte 0 with 'A'
    (call $output (call $fd_read (i32.const 3)))             ;; byte 1 is 0
  )
)

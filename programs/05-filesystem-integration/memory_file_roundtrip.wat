;; Writes five words from memory to file 2 byte by byte, reads the 20 bytes back into another memory
;; region, and prints the reloaded words and whether each equals the original.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32)
    (i32.store (i32.const 0)  (i32.const 0x01020304))
    (i32.store (i32.const 4)  (i32.const -1))
    (i32.store (i32.const 8)  (i32.const -2147483648))
    (i32.store (i32.const 12) (i32.const 2147483647))
    (i32.store (i32.const 16) (i32.const 1000000007))
    (drop (call $fd_open (i32.const 2)))
    (loop $out
      (call $fd_write (i32.const 2) (i32.load (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $out (i32.lt_s (local.get $i) (i32.const 20))))
    (call $fd_close (i32.const 2))
    (drop (call $fd_open (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $in
      (i32.store offset=1000 (local.get $i) (call $fd_read (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $in (i32.lt_s (local.get $i) (i32.const 20))))
    (local.set $i (i32.const 0))
    (loop $cmp
      (call $output (i32.load offset=1000 (local.get $i)))
      (call $output (i32.eq (i32.load offset=1000 (local.get $i)) (i32.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $cmp (i32.lt_s (local.get $i) (i32.const 20))))
    ;; the read after the 20 bytes is the end of the file
    (call $output (call $fd_read (i32.const 2)))
  )
)

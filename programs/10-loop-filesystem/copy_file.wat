;; Copies file 0 onto file 1 byte by byte and prints the count. File 1 is overwritten from the start: if it was
;; longer than file 0, its tail stays.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (local $c i32) (local $n i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (block $eof
      (loop $copy
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (call $fd_write (i32.const 1) (local.get $c))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $copy)))
    (call $fd_close (i32.const 0))
    (call $fd_close (i32.const 1))
    (call $output (local.get $n))
  )
)

;; Reverses file 0 into file 1: bytes are buffered in memory (one store per byte at consecutive addresses),
;; then written from last to first. Prints the length.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (local $c i32) (local $n i32) (local $i i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $load
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (i32.store (local.get $n) (local.get $c))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $load)))
    (drop (call $fd_open (i32.const 1)))
    (local.set $i (local.get $n))
    (block $done
      (loop $write
        (br_if $done (i32.eq (local.get $i) (i32.const 0)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        ;; fd_write keeps the low byte of the word at i, which is byte i
        (call $fd_write (i32.const 1) (i32.load (local.get $i)))
        (br $write)))
    (call $output (local.get $n))
  )
)

;; Packs up to 16 bytes of file 0 into memory at 0.. (one store per byte), then prints the word loaded at
;; every address 0..n-1, where n is the number of bytes read: unaligned loads see the zero bytes after the data.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $n i32) (local $byte i32) (local $i i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (br_if $eof (i32.ge_s (local.get $n) (i32.const 16)))
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (i32.store (local.get $n) (local.get $byte))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $read)))
    (call $output (local.get $n))
    (block $done
      (loop $show
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (call $output (i32.load (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $show)))
  )
)

;; Reads up to 4 bytes of file 0 into memory (one store per byte) and loads them as a little-endian word;
;; prints the word, word + 1 and word * 2. Missing bytes are zero.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32) (local $word i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (i32.store offset=16 (local.get $k) (local.get $byte))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $read (i32.lt_s (local.get $k) (i32.const 4)))))
    (local.set $word (i32.load (i32.const 16)))
    (call $output (local.get $word))
    (call $output (i32.add (local.get $word) (i32.const 1)))
    (call $output (i32.mul (local.get $word) (i32.const 2)))
  )
)

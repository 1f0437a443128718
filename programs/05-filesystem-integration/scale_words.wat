;; Reads little-endian words from file 0, writes 3*w + 1 for each as a little-endian word to file 1
;; (byte k of a word is the low byte of the word loaded at address + k), and prints how many words it did.
;; A trailing partial word is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32) (local $count i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (block $eof
      (loop $word
        (local.set $k (i32.const 0))
        (loop $bytes
          (local.set $byte (call $fd_read (i32.const 0)))
          (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
          (i32.store (local.get $k) (local.get $byte))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes (i32.lt_s (local.get $k) (i32.const 4))))
        ;; result word at address 8
        (i32.store (i32.const 8)
          (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 3)) (i32.const 1)))
        (call $fd_write (i32.const 1) (i32.load (i32.const 8)))
        (call $fd_write (i32.const 1) (i32.load (i32.const 9)))
        (call $fd_write (i32.const 1) (i32.load (i32.const 10)))
        (call $fd_write (i32.const 1) (i32.load (i32.const 11)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $word)))
    (call $output (local.get $count))
  )
)

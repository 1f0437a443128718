;; Reads pairs of little-endian i32 words (a, b) from file 0 and prints a+b, a-b, a*b, a&b, a|b for each pair.
;; Words are assembled in memory by storing each byte at the next address (the later store overwrites the
;; zero upper bytes of the earlier one). A trailing incomplete pair is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32) (local $a i32) (local $b i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $pair
        ;; read 8 bytes into addresses 0..7
        (local.set $k (i32.const 0))
        (loop $bytes
          (local.set $byte (call $fd_read (i32.const 0)))
          (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
          (i32.store (local.get $k) (local.get $byte))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes (i32.lt_s (local.get $k) (i32.const 8))))
        (local.set $a (i32.load (i32.const 0)))
        (local.set $b (i32.load (i32.const 4)))
        (call $output (i32.add (local.get $a) (local.get $b)))
        (call $output (i32.sub (local.get $a) (local.get $b)))
        (call $output (i32.mul (local.get $a) (local.get $b)))
        (call $output (i32.and (local.get $a) (local.get $b)))
        (call $output (i32.or  (local.get $a) (local.get $b)))
        (br $pair)))
  )
)

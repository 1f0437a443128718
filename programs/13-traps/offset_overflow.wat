;; Effective addresses are base (unsigned) + static offset without wrapping to 32 bits: for each little-endian
;; base word from file 0, prints the word loaded at base + 65532. Base 0 works; base 1, 4, 0xFFFFFFFC
;; (which would wrap to 65528) and 0x80000000 all trap with memory out of bounds.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32)
    (i32.store (i32.const 65532) (i32.const 0x5A5A5A5A))
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $k (i32.const 0))
        (loop $bytes
          (local.set $byte (call $fd_read (i32.const 0)))
          (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
          (i32.store (local.get $k) (local.get $byte))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes (i32.lt_s (local.get $k) (i32.const 4))))
        (call $output (i32.load offset=65532 (i32.load (i32.const 0))))
        (br $next)))
  )
)

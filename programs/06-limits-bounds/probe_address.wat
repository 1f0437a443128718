;; Reads little-endian addresses from file 0; for each, stores the address at that address and prints the
;; word loaded back. Addresses up to 65532 work; 65533 and above, and negative words (huge unsigned
;; addresses), trap with memory out of bounds.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32) (local $addr i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        ;; assemble the address word at 0..3
        (local.set $k (i32.const 0))
        (loop $bytes
          (local.set $byte (call $fd_read (i32.const 0)))
          (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
          (i32.store (local.get $k) (local.get $byte))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes (i32.lt_s (local.get $k) (i32.const 4))))
        (local.set $addr (i32.load (i32.const 0)))
        (i32.store (local.get $addr) (local.get $addr))
        (call $output (i32.load (local.get $addr)))
        (br $next)))
  )
)

;; Copies file 0 to file 1 inside a frame: a length byte (low 8 bits of the count) first, then the data,
;; then a checksum byte (low 8 bits of the byte sum). The length is patched in after the copy by
;; reopening file 1 and overwriting its placeholder. Prints the count and the full sum.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (import "env" "fd_close" (func $fd_close (param i32)))
  (func (export "main")
    (local $byte i32) (local $count i32) (local $sum i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (call $fd_write (i32.const 1) (i32.const 0))       ;; placeholder for the length
    (block $eof
      (loop $copy
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (call $fd_write (i32.const 1) (local.get $byte))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $sum (i32.add (local.get $sum) (local.get $byte)))
        (br $copy)))
    (call $fd_write (i32.const 1) (local.get $sum))    ;; trailer: low byte of the sum
    (drop (call $fd_open (i32.const 1)))               ;; rewind
    (call $fd_write (i32.const 1) (local.get $count))  ;; patch the length byte
    (call $fd_close (i32.const 1))
    (call $fd_close (i32.const 0))
    (call $output (local.get $count))
    (call $output (local.get $sum))
  )
)

;; Sum and count of all bytes of file 0 (bytes are 0..255, so 0xff adds 255, never -1).
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $byte i32) (local $sum i32) (local $count i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (local.set $sum (i32.add (local.get $sum) (local.get $byte)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $read)))
    (call $output (local.get $sum))
    (call $output (local.get $count))
  )
)

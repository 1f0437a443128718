;; Fletcher-16 checksum of file 0 (sums modulo 255 by conditional subtraction); prints sum2 * 256 + sum1 and
;; writes the two check bytes (sum1, then sum2) to file 1.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $byte i32) (local $s1 i32) (local $s2 i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (local.set $s1 (i32.add (local.get $s1) (local.get $byte)))
        (if (i32.ge_s (local.get $s1) (i32.const 255))
          (then (local.set $s1 (i32.sub (local.get $s1) (i32.const 255)))))
        (local.set $s2 (i32.add (local.get $s2) (local.get $s1)))
        (if (i32.ge_s (local.get $s2) (i32.const 255))
          (then (local.set $s2 (i32.sub (local.get $s2) (i32.const 255)))))
        (br $read)))
    (call $output (i32.add (i32.mul (local.get $s2) (i32.const 256)) (local.get $s1)))
    (drop (call $fd_open (i32.const 1)))
    (call $fd_write (i32.const 1) (local.get $s1))
    (call $fd_write (i32.const 1) (local.get $s2))
  )
)

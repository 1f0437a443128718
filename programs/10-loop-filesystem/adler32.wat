;; Adler-32 checksum of file 0: a = 1 + sum of bytes, b = sum of the a's, both modulo 65521 (kept in range by
;; one conditional subtraction per step); prints b * 65536 + a as a signed i32.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $byte i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 1))
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (local.set $a (i32.add (local.get $a) (local.get $byte)))
        (if (i32.ge_s (local.get $a) (i32.const 65521))
          (then (local.set $a (i32.sub (local.get $a) (i32.const 65521)))))
        (local.set $b (i32.add (local.get $b) (local.get $a)))
        (if (i32.ge_s (local.get $b) (i32.const 65521))
          (then (local.set $b (i32.sub (local.get $b) (i32.const 65521)))))
        (br $read)))
    (call $output (i32.or (i32.mul (local.get $b) (i32.const 65536)) (local.get $a)))
  )
)

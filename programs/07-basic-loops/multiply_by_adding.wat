;; Multiplies byte pairs (a, b) from file 0 by adding a to itself b times, and checks against i32.mul:
;; prints the product and 1 when both agree. A trailing odd byte is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $a i32) (local $b i32) (local $i i32) (local $p i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $pair
        (local.set $a (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $a) (i32.const -1)))
        (local.set $b (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $b) (i32.const -1)))
        (local.set $p (i32.const 0))
        (local.set $i (i32.const 0))
        (block $done
          (loop $add
            (br_if $done (i32.ge_s (local.get $i) (local.get $b)))
            (local.set $p (i32.add (local.get $p) (local.get $a)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $add)))
        (call $output (local.get $p))
        (call $output (i32.eq (local.get $p) (i32.mul (local.get $a) (local.get $b))))
        (br $pair)))
  )
)

;; Factorial: for each byte n of file 0 prints n! modulo 2^32 as a signed i32 (13! wraps; 34! and above are 0).
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $n i32) (local $f i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $n (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $n) (i32.const -1)))
        (local.set $f (i32.const 1))
        (block $done
          (loop $mul
            (br_if $done (i32.le_s (local.get $n) (i32.const 1)))
            (local.set $f (i32.mul (local.get $f) (local.get $n)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $mul)))
        (call $output (local.get $f))
        (br $next)))
  )
)

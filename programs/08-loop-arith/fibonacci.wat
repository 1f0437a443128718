;; Fibonacci: for each byte n of file 0 prints fib(n) (fib(0) = 0, fib(1) = 1), computed iteratively with
;; wrapping i32 additions (fib(47) and beyond wrap).
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $n i32) (local $a i32) (local $b i32) (local $t i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $n (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $n) (i32.const -1)))
        (local.set $a (i32.const 0))
        (local.set $b (i32.const 1))
        (block $done
          (loop $step
            (br_if $done (i32.eq (local.get $n) (i32.const 0)))
            (local.set $t (i32.add (local.get $a) (local.get $b)))
            (local.set $a (local.get $b))
            (local.set $b (local.get $t))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $step)))
        (call $output (local.get $a))
        (br $next)))
  )
)

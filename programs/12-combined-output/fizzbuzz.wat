;; FizzBuzz for 1..n, n = first byte of file 0 (empty file: 0), written to file 1 one line per number.
;; Divisibility uses countdown counters instead of a remainder, and numbers are written with a
;; hundreds/tens/units counter. Prints how many Fizz, Buzz and FizzBuzz lines there were.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $n i32) (local $i i32) (local $c3 i32) (local $c5 i32)
    (local $units i32) (local $tens i32) (local $hundreds i32)
    (local $fizz i32) (local $buzz i32) (local $fizzbuzz i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (local.set $n (call $fd_read (i32.const 0)))
    (local.set $c3 (i32.const 3))
    (local.set $c5 (i32.const 5))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $i) (local.get $n)))
        ;; decimal counter of i
        (local.set $units (i32.add (local.get $units) (i32.const 1)))
        (if (i32.eq (local.get $units) (i32.const 10))
          (then
            (local.set $units (i32.const 0))
            (local.set $tens (i32.add (local.get $tens) (i32.const 1)))
            (if (i32.eq (local.get $tens) (i32.const 10))
              (then
                (local.set $tens (i32.const 0))
                (local.set $hundreds (i32.add (local.get $hundreds) (i32.const 1)))))))
        (local.set $c3 (i32.sub (local.get $c3) (i32.const 1)))
        (local.set $c5 (i32.sub (local.get $c5) (i32.const 1)))
        (if (i32.eq (local.get $c3) (i32.const 0))
          (then
            (call $fd_write (i32.const 1) (i32.const 70))    ;; F
            (call $fd_write (i32.const 1) (i32.const 105))   ;; i
            (call $fd_write (i32.const 1) (i32.const 122))   ;; z
            (call $fd_write (i32.const 1) (i32.const 122))))
        (if (i32.eq (local.get $c5) (i32.const 0))
          (then
            (call $fd_write (i32.const 1) (i32.const 66))    ;; B
            (call $fd_write (i32.const 1) (i32.const 117))   ;; u
            (call $fd_write (i32.const 1) (i32.const 122))
            (call $fd_write (i32.const 1) (i32.const 122))))
        (if (i32.and (i32.eq (local.get $c3) (i32.const 0)) (i32.eq (local.get $c5) (i32.const 0)))
          (then (local.set $fizzbuzz (i32.add (local.get $fizzbuzz) (i32.const 1))))
          (else
            (if (i32.eq (local.get $c3) (i32.const 0))
              (then (local.set $fizz (i32.add (local.get $fizz) (i32.const 1)))))
            (if (i32.eq (local.get $c5) (i32.const 0))
              (then (local.set $buzz (i32.add (local.get $buzz) (i32.const 1)))))))
        (if (i32.and (i32.ne (local.get $c3) (i32.const 0)) (i32.ne (local.get $c5) (i32.const 0)))
          (then
            (if (i32.gt_s (local.get $hundreds) (i32.const 0))
              (then (call $fd_write (i32.const 1) (i32.add (local.get $hundreds) (i32.const 48)))))
            (if (i32.or (i32.gt_s (local.get $hundreds) (i32.const 0)) (i32.gt_s (local.get $tens) (i32.const 0)))
              (then (call $fd_write (i32.const 1) (i32.add (local.get $tens) (i32.const 48)))))
            (call $fd_write (i32.const 1) (i32.add (local.get $units) (i32.const 48)))))
        (call $fd_write (i32.const 1) (i32.const 10))
        (if (i32.eq (local.get $c3) (i32.const 0)) (then (local.set $c3 (i32.const 3))))
        (if (i32.eq (local.get $c5) (i32.const 0)) (then (local.set $c5 (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $output (local.get $fizz))
    (call $output (local.get $buzz))
    (call $output (local.get $fizzbuzz))
  )
)

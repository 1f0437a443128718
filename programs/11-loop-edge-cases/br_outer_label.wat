;; Branching out of two nested loops at once: searches 2 <= i <= j <= 16 for i * j = t, where t is each byte of
;; file 0, and `br`s to an outer block with an i32 result carrying 100*i + j (or -1 if there is none).
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $t i32) (local $i i32) (local $j i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $t (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $t) (i32.const -1)))
        (call $output
          (block $found (result i32)
            (local.set $i (i32.const 2))
            (loop $outer
              (local.set $j (local.get $i))
              (loop $inner
                (if (i32.eq (i32.mul (local.get $i) (local.get $j)) (local.get $t))
                  (then
                    ;; leaves the if, both loops and lands after $found with the value
                    (br $found (i32.add (i32.mul (local.get $i) (i32.const 100)) (local.get $j)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $inner (i32.le_s (local.get $j) (i32.const 16))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $outer (i32.le_s (local.get $i) (i32.const 16))))
            (i32.const -1)))
        (br $next)))
  )
)

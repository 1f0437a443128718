;; `return` from inside three nested loops: looks for the first triple 1 <= i <= j <= k <= 9 with
;; i*i + j*j = k*k + t, where t is the first byte of file 0 (0 for an empty file). On success it prints i, j, k and
;; returns at once; the -1 after the loops is printed only when there is no such triple.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $t i32) (local $i i32) (local $j i32) (local $k i32)
    (drop (call $fd_open (i32.const 0)))
    (local.set $t (call $fd_read (i32.const 0)))
    (if (i32.lt_s (local.get $t) (i32.const 0)) (then (local.set $t (i32.const 0))))
    (local.set $i (i32.const 1))
    (loop $li
      (local.set $j (local.get $i))
      (loop $lj
        (local.set $k (local.get $j))
        (loop $lk
          (if (i32.eq (i32.add (i32.mul (local.get $i) (local.get $i)) (i32.mul (local.get $j) (local.get $j)))
                      (i32.add (i32.mul (local.get $k) (local.get $k)) (local.get $t)))
            (then
              (call $output (local.get $i))
              (call $output (local.get $j))
              (call $output (local.get $k))
              (return)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $lk (i32.le_s (local.get $k) (i32.const 9))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.le_s (local.get $j) (i32.const 9))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.le_s (local.get $i) (i32.const 9))))
    (call $output (i32.const -1))
  )
)

;; 3x3 matrix product C = A * B with row-major matrices in memory (A at 0, B at 64, C at 128), computed by
;; three nested loops; prints the nine entries of C and then its trace.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32) (local $j i32) (local $k i32) (local $acc i32) (local $trace i32)
    ;; A = [[1 2 3] [4 5 6] [7 8 9]]
    (i32.store offset=0  (i32.const 0) (i32.const 1)) (i32.store offset=4  (i32.const 0) (i32.const 2))
    (i32.store offset=8  (i32.const 0) (i32.const 3)) (i32.store offset=12 (i32.const 0) (i32.const 4))
    (i32.store offset=16 (i32.const 0) (i32.const 5)) (i32.store offset=20 (i32.const 0) (i32.const 6))
    (i32.store offset=24 (i32.const 0) (i32.const 7)) (i32.store offset=28 (i32.const 0) (i32.const 8))
    (i32.store offset=32 (i32.const 0) (i32.const 9))
    ;; B = [[-1 0 2] [3 -4 5] [100000 6 -7]]
    (i32.store offset=64 (i32.const 0) (i32.const -1))     (i32.store offset=68 (i32.const 0) (i32.const 0))
    (i32.store offset=72 (i32.const 0) (i32.const 2))      (i32.store offset=76 (i32.const 0) (i32.const 3))
    (i32.store offset=80 (i32.const 0) (i32.const -4))     (i32.store offset=84 (i32.const 0) (i32.const 5))
    (i32.store offset=88 (i32.const 0) (i32.const 100000)) (i32.store offset=92 (i32.const 0) (i32.const 6))
    (i32.store offset=96 (i32.const 0) (i32.const -7))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $acc (i32.const 0))
        (local.set $k (i32.const 0))
        (loop $dot
          ;; acc += A[i][k] * B[k][j]
          (local.set $acc
            (i32.add (local.get $acc)
              (i32.mul
                (i32.load (i32.mul (i32.add (i32.mul (local.get $i) (i32.const 3)) (local.get $k)) (i32.const 4)))
                (i32.load offset=64 (i32.mul (i32.add (i32.mul (local.get $k) (i32.const 3)) (local.get $j)) (i32.const 4))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $dot (i32.lt_s (local.get $k) (i32.const 3))))
        (i32.store offset=128 (i32.mul (i32.add (i32.mul (local.get $i) (i32.const 3)) (local.get $j)) (i32.const 4))
                   (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $j) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $i) (i32.const 3))))
    (local.set $i (i32.const 0))
    (loop $print
      (call $output (i32.load offset=128 (i32.mul (local.get $i) (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $print (i32.lt_s (local.get $i) (i32.const 9))))
    (local.set $trace (i32.add (i32.add (i32.load (i32.const 128)) (i32.load (i32.const 144))) (i32.load (i32.const 160))))
    (call $output (local.get $trace))
  )
)

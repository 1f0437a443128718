;; Greatest common divisor by Euclid's subtraction algorithm for byte pairs (a, b) of file 0;
;; gcd(a, 0) = a and gcd(0, 0) = 0. A trailing odd byte is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $a i32) (local $b i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $pair
        (local.set $a (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $a) (i32.const -1)))
        (local.set $b (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $b) (i32.const -1)))
        (block $done
          (br_if $done (i32.eq (local.get $a) (i32.const 0)))
          (loop $reduce
            (br_if $done (i32.eq (local.get $b) (i32.const 0)))
            (if (i32.gt_s (local.get $a) (local.get $b))
              (then (local.set $a (i32.sub (local.get $a) (local.get $b))))
              (else (local.set $b (i32.sub (local.get $b) (local.get $a)))))
            (br $reduce)))
        ;; one of them is 0 now (or a was 0 from the start): the gcd is the other one, i.e. a | b
        (call $output (i32.or (local.get $a) (local.get $b)))
        (br $pair)))
  )
)

;; Integer square root: for each 16-bit little-endian value n in file 0 (byte pairs) prints the largest r
;; with r*r <= n, found by counting r up from 0. A trailing odd byte is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $lo i32) (local $hi i32) (local $n i32) (local $r i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $lo (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $lo) (i32.const -1)))
        (local.set $hi (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $hi) (i32.const -1)))
        (local.set $n (i32.add (local.get $lo) (i32.mul (local.get $hi) (i32.const 256))))
        (local.set $r (i32.const 0))
        (block $found
          (loop $up
            ;; stop when (r + 1)^2 > n
            (br_if $found (i32.gt_s (i32.mul (i32.add (local.get $r) (i32.const 1))
                                             (i32.add (local.get $r) (i32.const 1)))
                                    (local.get $n)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $up)))
        (call $output (local.get $r))
        (br $next)))
  )
)

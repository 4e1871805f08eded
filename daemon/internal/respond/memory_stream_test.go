package respond_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

func init() {
	memoryPaths = append(memoryPaths, memoryPath{"SubmitResponseStream", streamPath})
}

// streamPath sends the files through SubmitResponseStream in 1 MiB
// chunks, read from the generator as they are sent.
func streamPath(t *testing.T, e *env, link string, sizes []int) func() string {
	return func() string {
		client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
		s := client.SubmitResponseStream(context.Background())
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{
			Start: &adminv1.SubmitResponseStart{Token: tokenOf(link), Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED}}})
		buf := make([]byte, 1<<20)
		for i, n := range sizes {
			_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_FileStart{
				FileStart: &adminv1.UploadFileStart{Name: fmt.Sprintf("export-%d.bin", i)}}})
			r := upstream(uint64(i), n)
			for {
				k, err := io.ReadFull(r, buf)
				if k > 0 {
					_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: buf[:k]}})
				}
				if err != nil {
					break
				}
			}
		}
		resp, err := s.CloseAndReceive()
		if err != nil {
			t.Fatalf("SubmitResponseStream: %v", err)
		}
		return resp.Msg.GetLabel()
	}
}

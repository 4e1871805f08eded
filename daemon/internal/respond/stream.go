package respond

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// SubmitResponseStream records an answer whose files arrive in chunks:
// the link is checked on the first message, before any file is read; each
// chunk is sealed and stored as it arrives, within the limits; and the
// answer is recorded once the client has sent everything. A refused,
// invalid or broken call keeps nothing and leaves the link working.
func (s *Service) SubmitResponseStream(ctx context.Context, stream *connect.ClientStream[adminv1.SubmitResponseStreamRequest]) (*connect.Response[adminv1.SubmitResponseStreamResponse], error) {
	if !stream.Receive() {
		if err := stream.Err(); err != nil {
			return nil, err
		}
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("start: the stream is empty; its first message must be start"))
	}
	start := stream.Msg().GetStart()
	if start == nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("start: the first message must be start (token and answer)"))
	}
	t, err := s.r.Task(ctx, start.GetToken())
	if err != nil {
		return nil, toConnect(err)
	}
	sub := Submission{Answer: answersIn[start.GetAnswer()], Note: start.GetNote()}
	choice, err := s.r.validate(t, sub)
	if err != nil {
		return nil, toConnect(err)
	}
	if sub.Upload, err = s.r.newUpload(t); err != nil {
		return nil, toConnect(err)
	}
	if err := s.receiveFiles(ctx, stream, choice, sub.Upload); err != nil {
		s.r.discard(ctx, t, sub.Upload)
		var in *InputError
		if !errors.As(err, &in) {
			if cerr := new(connect.Error); errors.As(err, &cerr) {
				return nil, cerr
			}
			err = s.r.internal("store streamed file", t.claims, err)
		}
		return nil, toConnect(err)
	}
	rec, err := s.r.submit(ctx, t, sub)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&adminv1.SubmitResponseStreamResponse{Label: rec.Label}), nil
}

// receiveFiles stages the stream's files into up until the client closes
// its side.
func (s *Service) receiveFiles(ctx context.Context, stream *connect.ClientStream[adminv1.SubmitResponseStreamRequest], choice Choice, up *store.Upload) error {
	lim := s.r.limits
	var fw *store.FileWriter
	for stream.Receive() {
		switch part := stream.Msg().GetPart().(type) {
		case *adminv1.SubmitResponseStreamRequest_FileStart:
			if !choice.Files {
				return &InputError{Field: "files", Message: "Files can only be sent with the answer that you have uploaded data. Remove the files, or pick that answer."}
			}
			if fw != nil {
				if err := fw.Close(); err != nil {
					return err
				}
			}
			if up.Len() == lim.MaxFiles {
				return lim.tooManyFiles()
			}
			fs := part.FileStart
			fw = up.Create(ctx, cleanFileName(fs.GetName(), up.Len()), cleanContentType(fs.GetContentType()))
		case *adminv1.SubmitResponseStreamRequest_Chunk:
			if fw == nil {
				return &InputError{Field: "chunk", Message: "Send file_start before a file's content."}
			}
			n := int64(len(part.Chunk))
			if fw.Written()+n > lim.MaxFileBytes {
				return lim.fileTooLarge(fw.Name())
			}
			if up.Size()+fw.Written()+n > lim.MaxTotalBytes {
				return lim.totalTooLarge()
			}
			if _, err := fw.Write(part.Chunk); err != nil {
				return err
			}
		default:
			return &InputError{Field: "start", Message: "Send start once, as the first message only."}
		}
	}
	if err := stream.Err(); err != nil {
		return err
	}
	if fw != nil {
		return fw.Close()
	}
	return nil
}
